/*
 * lazy_xml.h - libxml2, loaded on first use (see common/lazylib.h). discovery/meta.c includes
 * this instead of <libxml/HTMLparser.h> and <libxml/tree.h>. xmlFree is a variable (a pointer
 * to the deallocator), not a function: its entry is the variable's address, which the
 * uniform (*entry) below reads on each use.
 */
#pragma once

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "common/lazylib.h"

#define LAZY_XML_SYMBOLS(X)                                                                        \
        X(htmlReadMemory)                                                                          \
        X(xmlFree)                                                                                 \
        X(xmlFreeDoc)                                                                              \
        X(xmlNodeListGetString)

LAZYLIB_DECLARE(xml, LAZY_XML_SYMBOLS)

#ifndef LAZYLIB_TABLES_ONLY
#define htmlReadMemory (*lazy_xml()->htmlReadMemory)
#define xmlFree (*lazy_xml()->xmlFree)
#define xmlFreeDoc (*lazy_xml()->xmlFreeDoc)
#define xmlNodeListGetString (*lazy_xml()->xmlNodeListGetString)
#endif

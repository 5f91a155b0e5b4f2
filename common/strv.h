/*
 * strv.h - NULL-terminated string vectors (argv, environment, lists of names).
 * Every vector and string in it is heap-owned; strv_free() releases all.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/cleanup.h"

size_t strv_length(char *const *v);
/* Appends a copy of s; returns the (possibly moved) vector. NULL is an empty vector. */
char **strv_push(char **v, const char *s);
/* Appends s itself, taking ownership. */
char **strv_push_take(char **v, char *s);
char **strv_copy(char *const *v);
bool strv_contains(char *const *v, const char *s);
/* Joins with sep; NULL or empty vector gives "". */
char *strv_join(char *const *v, const char *sep);
/* Splits s on any char of seps; empty fields are dropped unless keep_empty. */
char **strv_split(const char *s, const char *seps, bool keep_empty);
/* Sorts in place with strcmp. */
void strv_sort(char **v);

/* Environment helpers: entries are "KEY=VALUE". */
/* Sets or replaces KEY. */
char **strv_env_set(char **v, const char *key, const char *value);
/* Returns the value of KEY or NULL. */
const char *strv_env_get(char *const *v, const char *key);

/*
 * lazy_archive.h - libarchive, loaded on first use (see common/lazylib.h): the ACI reader,
 * extractor and writer (common/tar_*.c, through tar_internal.h) include this instead of
 * <archive.h> and <archive_entry.h>.
 */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "common/lazylib.h"

#define LAZY_ARCHIVE_SYMBOLS(X)                                                                    \
        X(archive_entry_atime)                                                                     \
        X(archive_entry_atime_is_set)                                                              \
        X(archive_entry_atime_nsec)                                                                \
        X(archive_entry_filetype)                                                                  \
        X(archive_entry_free)                                                                      \
        X(archive_entry_gid)                                                                       \
        X(archive_entry_hardlink)                                                                  \
        X(archive_entry_mtime)                                                                     \
        X(archive_entry_mtime_is_set)                                                              \
        X(archive_entry_mtime_nsec)                                                                \
        X(archive_entry_new)                                                                       \
        X(archive_entry_pathname)                                                                  \
        X(archive_entry_perm)                                                                      \
        X(archive_entry_rdev)                                                                      \
        X(archive_entry_set_filetype)                                                              \
        X(archive_entry_set_gid)                                                                   \
        X(archive_entry_set_gname)                                                                 \
        X(archive_entry_set_hardlink)                                                              \
        X(archive_entry_set_mode)                                                                  \
        X(archive_entry_set_mtime)                                                                 \
        X(archive_entry_set_pathname)                                                              \
        X(archive_entry_set_rdev)                                                                  \
        X(archive_entry_set_size)                                                                  \
        X(archive_entry_set_symlink)                                                               \
        X(archive_entry_set_uid)                                                                   \
        X(archive_entry_set_uname)                                                                 \
        X(archive_entry_size)                                                                      \
        X(archive_entry_size_is_set)                                                               \
        X(archive_entry_symlink)                                                                   \
        X(archive_entry_uid)                                                                       \
        X(archive_entry_xattr_add_entry)                                                           \
        X(archive_entry_xattr_next)                                                                \
        X(archive_entry_xattr_reset)                                                               \
        X(archive_errno)                                                                           \
        X(archive_error_string)                                                                    \
        X(archive_filter_code)                                                                     \
        X(archive_filter_count)                                                                    \
        X(archive_read_data)                                                                       \
        X(archive_read_data_block)                                                                 \
        X(archive_read_data_skip)                                                                  \
        X(archive_read_free)                                                                       \
        X(archive_read_new)                                                                        \
        X(archive_read_next_header)                                                                \
        X(archive_read_open2)                                                                      \
        X(archive_read_support_filter_bzip2)                                                       \
        X(archive_read_support_filter_gzip)                                                        \
        X(archive_read_support_filter_zstd)                                                        \
        X(archive_read_support_format_raw)                                                         \
        X(archive_read_support_format_tar)                                                         \
        X(archive_set_error)                                                                       \
        X(archive_write_add_filter_bzip2)                                                          \
        X(archive_write_add_filter_gzip)                                                           \
        X(archive_write_add_filter_xz)                                                             \
        X(archive_write_add_filter_zstd)                                                           \
        X(archive_write_close)                                                                     \
        X(archive_write_data)                                                                      \
        X(archive_write_free)                                                                      \
        X(archive_write_header)                                                                    \
        X(archive_write_new)                                                                       \
        X(archive_write_open2)                                                                     \
        X(archive_write_set_bytes_per_block)                                                       \
        X(archive_write_set_filter_option)                                                         \
        X(archive_write_set_format_pax_restricted)                                                 \
        X(archive_write_set_format_raw)

LAZYLIB_DECLARE(archive, LAZY_ARCHIVE_SYMBOLS)

#ifndef LAZYLIB_TABLES_ONLY
#define archive_entry_atime (*lazy_archive()->archive_entry_atime)
#define archive_entry_atime_is_set (*lazy_archive()->archive_entry_atime_is_set)
#define archive_entry_atime_nsec (*lazy_archive()->archive_entry_atime_nsec)
#define archive_entry_filetype (*lazy_archive()->archive_entry_filetype)
#define archive_entry_free (*lazy_archive()->archive_entry_free)
#define archive_entry_gid (*lazy_archive()->archive_entry_gid)
#define archive_entry_hardlink (*lazy_archive()->archive_entry_hardlink)
#define archive_entry_mtime (*lazy_archive()->archive_entry_mtime)
#define archive_entry_mtime_is_set (*lazy_archive()->archive_entry_mtime_is_set)
#define archive_entry_mtime_nsec (*lazy_archive()->archive_entry_mtime_nsec)
#define archive_entry_new (*lazy_archive()->archive_entry_new)
#define archive_entry_pathname (*lazy_archive()->archive_entry_pathname)
#define archive_entry_perm (*lazy_archive()->archive_entry_perm)
#define archive_entry_rdev (*lazy_archive()->archive_entry_rdev)
#define archive_entry_set_filetype (*lazy_archive()->archive_entry_set_filetype)
#define archive_entry_set_gid (*lazy_archive()->archive_entry_set_gid)
#define archive_entry_set_gname (*lazy_archive()->archive_entry_set_gname)
#define archive_entry_set_hardlink (*lazy_archive()->archive_entry_set_hardlink)
#define archive_entry_set_mode (*lazy_archive()->archive_entry_set_mode)
#define archive_entry_set_mtime (*lazy_archive()->archive_entry_set_mtime)
#define archive_entry_set_pathname (*lazy_archive()->archive_entry_set_pathname)
#define archive_entry_set_rdev (*lazy_archive()->archive_entry_set_rdev)
#define archive_entry_set_size (*lazy_archive()->archive_entry_set_size)
#define archive_entry_set_symlink (*lazy_archive()->archive_entry_set_symlink)
#define archive_entry_set_uid (*lazy_archive()->archive_entry_set_uid)
#define archive_entry_set_uname (*lazy_archive()->archive_entry_set_uname)
#define archive_entry_size (*lazy_archive()->archive_entry_size)
#define archive_entry_size_is_set (*lazy_archive()->archive_entry_size_is_set)
#define archive_entry_symlink (*lazy_archive()->archive_entry_symlink)
#define archive_entry_uid (*lazy_archive()->archive_entry_uid)
#define archive_entry_xattr_add_entry (*lazy_archive()->archive_entry_xattr_add_entry)
#define archive_entry_xattr_next (*lazy_archive()->archive_entry_xattr_next)
#define archive_entry_xattr_reset (*lazy_archive()->archive_entry_xattr_reset)
#define archive_errno (*lazy_archive()->archive_errno)
#define archive_error_string (*lazy_archive()->archive_error_string)
#define archive_filter_code (*lazy_archive()->archive_filter_code)
#define archive_filter_count (*lazy_archive()->archive_filter_count)
#define archive_read_data (*lazy_archive()->archive_read_data)
#define archive_read_data_block (*lazy_archive()->archive_read_data_block)
#define archive_read_data_skip (*lazy_archive()->archive_read_data_skip)
#define archive_read_free (*lazy_archive()->archive_read_free)
#define archive_read_new (*lazy_archive()->archive_read_new)
#define archive_read_next_header (*lazy_archive()->archive_read_next_header)
#define archive_read_open2 (*lazy_archive()->archive_read_open2)
#define archive_read_support_filter_bzip2 (*lazy_archive()->archive_read_support_filter_bzip2)
#define archive_read_support_filter_gzip (*lazy_archive()->archive_read_support_filter_gzip)
#define archive_read_support_filter_zstd (*lazy_archive()->archive_read_support_filter_zstd)
#define archive_read_support_format_raw (*lazy_archive()->archive_read_support_format_raw)
#define archive_read_support_format_tar (*lazy_archive()->archive_read_support_format_tar)
#define archive_set_error (*lazy_archive()->archive_set_error)
#define archive_write_add_filter_bzip2 (*lazy_archive()->archive_write_add_filter_bzip2)
#define archive_write_add_filter_gzip (*lazy_archive()->archive_write_add_filter_gzip)
#define archive_write_add_filter_xz (*lazy_archive()->archive_write_add_filter_xz)
#define archive_write_add_filter_zstd (*lazy_archive()->archive_write_add_filter_zstd)
#define archive_write_close (*lazy_archive()->archive_write_close)
#define archive_write_data (*lazy_archive()->archive_write_data)
#define archive_write_free (*lazy_archive()->archive_write_free)
#define archive_write_header (*lazy_archive()->archive_write_header)
#define archive_write_new (*lazy_archive()->archive_write_new)
#define archive_write_open2 (*lazy_archive()->archive_write_open2)
#define archive_write_set_bytes_per_block (*lazy_archive()->archive_write_set_bytes_per_block)
#define archive_write_set_filter_option (*lazy_archive()->archive_write_set_filter_option)
#define archive_write_set_format_pax_restricted                                                    \
        (*lazy_archive()->archive_write_set_format_pax_restricted)
#define archive_write_set_format_raw (*lazy_archive()->archive_write_set_format_raw)
#endif

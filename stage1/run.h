/*
 * run.h - the stage1 entrypoints, each a main() of the multicall binary (stage1/main.c):
 * returns the process exit status. Arguments per Documentation/stage1-abi.md.
 */
#pragma once

int stage1_run(int argc, char **argv);
int stage1_enter(int argc, char **argv);
int stage1_stop(int argc, char **argv);
int stage1_gc(int argc, char **argv);

set(FS_SRC classification.c robustness.c)

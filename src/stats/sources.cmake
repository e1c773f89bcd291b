set(FS_SRC bootstrap.c tests.c)

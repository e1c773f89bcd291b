set(FS_SRC store.c records.c)

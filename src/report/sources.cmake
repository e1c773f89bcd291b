set(FS_SRC)

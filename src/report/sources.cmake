set(FS_SRC report_md.c report_write.c)

set(FS_SRC config.c run.c results.c)

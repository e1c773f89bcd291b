set(FS_SRC config.c run.c results.c fairness_results.c)

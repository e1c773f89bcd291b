set(FS_SRC config.c run.c results.c fairness_results.c task_results.c ident_results.c csv.c compare.c compare_pair.c scorefile.c scorefile_class.c)

set(FS_SRC config.c run.c results.c gates.c fairness_results.c gates.c task_results.c text_fairness.c gates.c ident_results.c gates.c csv.c compare.c compare_pair.c scorefile.c scorefile_class.c)

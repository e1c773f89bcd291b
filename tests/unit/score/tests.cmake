set(FS_TEST_SRC main.c test_classification.c test_robustness.c test_fairness.c test_porter.c test_rouge.c test_squad.c test_perplexity.c test_bleu.c test_chrf.c)
set(FS_TEST_LINK core stats score)

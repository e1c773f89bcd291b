set(FS_SRC main.c exit.c cmd_run.c cmd_misc.c cmd_perturb.c cmd_identify.c cmd_score.c cmd_compare.c input.c)

set(FS_SRC perturb.c layout.c noise.c)

set(FS_SRC perturb.c data.c layout.c noise.c chars.c words.c adversarial.c pii.c protect.c)

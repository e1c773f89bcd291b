set(FS_SRC prompt.c label.c openai.c retry.c dispatch.c)

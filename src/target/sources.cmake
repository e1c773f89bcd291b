set(FS_SRC prompt.c prompt_vars.c label.c openai.c rest.c retry.c ratelimit.c dispatch.c http.c exec.c)

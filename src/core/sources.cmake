set(FS_SRC error.c alloc.c buf.c fmt.c rng.c hash.c text.c text_props.c text_norm.c text_number.c text_digits.c params.c misc.c json.c version.c)

set(FS_TEST_SRC main.c helpers.c test_catalogue.c test_noise.c test_layout.c test_chars.c test_words.c test_adversarial.c test_pii.c test_protect.c)
set(FS_TEST_LINK core identify perturb)

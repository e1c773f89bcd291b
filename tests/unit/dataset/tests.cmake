set(FS_TEST_SRC main.c dataset_fixture.c test_jsonl.c test_csv.c test_dataset.c test_fields.c
    test_glue.c test_squad.c test_wmt.c)
set(FS_TEST_LINK core dataset)

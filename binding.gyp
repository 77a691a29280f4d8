{
  "targets": [
    {
      "target_name": "driftscan_fs",
      "sources": ["native/fsnative.c", "native/readwhole.c", "native/hashbatch.c", "native/xxh64.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}

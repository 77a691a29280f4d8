{
  "targets": [
    {
      "target_name": "driftscan_fs",
      "sources": ["native/fsnative.c", "native/readwhole.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}

{
  "targets": [
    {
      "target_name": "driftscan_fs",
      "sources": ["native/fsnative.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}

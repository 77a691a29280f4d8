{
  "targets": [
    {
      "target_name": "driftscan_fs",
      "sources": ["native/fsnative.c", "native/quietopen.c", "native/hashbatch.c", "native/hashfile.c", "native/digests.c", "native/xxh64.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}

{
  "targets": [
    {
      "target_name": "driftscan_xattr",
      "sources": ["native/xattr.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}

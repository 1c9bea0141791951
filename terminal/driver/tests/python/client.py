"""An integrator's Python ctypes client of libSSCardDriver, as real integrators write them:
load the library, call iReadCardBas into a 256-byte buffer, decode GBK, split on '|'.
Usage: client.py LIBRARY — prints the fields as JSON; exit 1 on a non-zero return code."""
import ctypes
import json
import sys

lib = ctypes.CDLL(sys.argv[1])
lib.iReadCardBas.argtypes = [ctypes.c_int, ctypes.c_char_p]
lib.iReadCardBas.restype = ctypes.c_long

buf = ctypes.create_string_buffer(256)
rc = lib.iReadCardBas(3, buf)
text = buf.value.decode("gbk")
if rc != 0:
    print(json.dumps({"rc": rc, "message": text}, ensure_ascii=False))
    sys.exit(1)
fields = text.split("|")
print(json.dumps({"rc": rc, "fields": fields, "ssn": fields[1], "name": fields[4]}, ensure_ascii=False))

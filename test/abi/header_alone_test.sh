#!/bin/sh
# Proves that <switchyard/filter.h> alone is enough to build a filter: the
# headers module (with the config reader and header checks from
# modules/common) and the counter
# fixture are compiled with the system C compiler and only -I plugins_api
# (none of meson's flags), and every module
# exports exactly one dynamic symbol, the entry point. The header must also
# compile as C++, since it promises extern "C".
#
# usage: header_alone_test.sh SOURCE_ROOT [BUILT_MODULE.so ...]
set -eu

root=$1
shift
CC=${CC:-cc}
CXX=${CXX:-c++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

compile() {  # output.so sources...
  output=$1
  shift
  if "$CC" -std=c11 -pedantic-errors -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden \
      -I "$root/plugins_api" "$@" -o "$output"; then
    echo "ok: built $(basename "$output") from the header alone"
  else
    echo "FAIL: could not build $(basename "$output") with only -I plugins_api"
    status=1
  fi
}

check_exports() {  # module.so
  if [ ! -f "$1" ]; then
    echo "FAIL: no module at $1"
    status=1
    return
  fi
  exports=$(nm -D --defined-only "$1" | awk '{print $NF}')
  if [ "$exports" = "sy_filter_module_entry" ]; then
    echo "ok: $(basename "$1") exports only sy_filter_module_entry"
  else
    echo "FAIL: $1 must export only sy_filter_module_entry, exports:"
    echo "$exports"
    status=1
  fi
}

compile "$work/headers.so" -I "$root/modules/common" "$root"/modules/headers/*.c \
  "$root/modules/common/config_reader.c" "$root/modules/common/http_field.c"
compile "$work/counter.so" "$root/test/abi/counter.c"

for module in "$work/headers.so" "$work/counter.so" "$@"; do
  check_exports "$module"
done

if printf '#include <switchyard/filter.h>\n' |
    "$CXX" -x c++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only -I "$root/plugins_api" -; then
  echo "ok: the header compiles as C++"
else
  echo "FAIL: the header does not compile as C++"
  status=1
fi

exit $status

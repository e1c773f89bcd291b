#!/bin/sh
# Fails when C sources use a banned function (STYLE.md section 5) or apply <ctype.h>.
set -eu
cd "$(dirname "$0")/.."
pattern='\b(strcpy|strcat|sprintf|strncpy|strtok|atoi|atof|gets|rand)[[:space:]]*\('
found=$(grep -rnE "$pattern" --include='*.c' --include='*.h' src include tests bench || true)
ctype=$(grep -rn '#include <ctype.h>' --include='*.c' --include='*.h' src include || true)
if [ -n "$found$ctype" ]; then
  echo "banned calls (see STYLE.md):"
  [ -n "$found" ] && echo "$found"
  [ -n "$ctype" ] && echo "$ctype"
  exit 1
fi
echo "no banned calls"

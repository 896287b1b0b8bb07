# Shared by scripts/dev and scripts/gw: the JIT Release build of the gateway that they run (the same
# configuration and output as `dotnet build WaSms.Appliance.sln -c Release` in scripts/test, so a
# tested tree starts at once).
# shellcheck shell=bash

GATEWAY_DLL=src/WaSms.Gateway/bin/Release/net10.0/wasms-gateway.dll
# Touched after each build here: a changed file that is no compiler input leaves the dll as it was.
GATEWAY_STAMP=src/WaSms.Gateway/obj/dev-build.stamp

# gateway_build_needed: true when the build output is missing or a source is newer than the last build.
gateway_build_needed() {
    [ -f "$GATEWAY_DLL" ] || return 0
    # The newest of our assemblies in the output (a library change may leave wasms-gateway.dll as is).
    local since
    since=$(ls -t "$GATEWAY_STAMP" "$(dirname "$GATEWAY_DLL")"/WaSms.*.dll "$GATEWAY_DLL" 2>/dev/null | head -n 1)
    [ -n "$(find src Directory.Build.props Directory.Packages.props global.json -type f -newer "$since" \
        -not -path '*/bin/*' -not -path '*/obj/*' -not -name '*.md' -print -quit 2>/dev/null)" ]
}

# ensure_gateway_built: builds src/WaSms.Gateway (Release) only when needed, saying so on stderr
# (stdout stays the command's own, e.g. `scripts/gw status --json`).
ensure_gateway_built() {
    gateway_build_needed || return 0
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
    local why="sources changed since the last build"
    [ -f "$GATEWAY_DLL" ] || why="first run"
    echo "Building the gateway ($why; about 1 min on 2 cores)..." >&2
    local started=$SECONDS
    dotnet build src/WaSms.Gateway -c Release -v quiet -nologo >&2
    touch "$GATEWAY_STAMP"
    echo "Built in $(( SECONDS - started ))s." >&2
}

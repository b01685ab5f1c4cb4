namespace Bpm.IntegrationTests.RealReleases;

/// <summary>The scripts that stand in for a release's binaries and hooks.</summary>
public static class StandIn
{
    /// <summary>
    /// Says where it runs, then waits for a shutdown signal and says which one came: a process
    /// that exited on the wrong signal would not have written its line.
    /// </summary>
    public const string Executable = """
        #!/bin/sh
        # Stands in for a release's process: reports where it runs, then waits for its shutdown signal.
        echo "started uid=$(id -u) cwd=$(pwd)"
        trap 'kill "$child"; echo "stopping on TERM"; exit 0' TERM
        trap 'kill "$child"; echo "stopping on INT"; exit 0' INT
        sleep 100000 &
        child=$!
        wait "$child"
        """;

    /// <summary>The hooks' common line, which their output (the process's stdout log) must hold.</summary>
    public const string HookLine = "pre_start hook ran as uid ";

    public const string Hook = """
        #!/bin/sh
        # Stands in for a release's pre_start hook.
        echo "pre_start hook ran as uid $(id -u)"
        """;
}

namespace Bpm.Host;

// A process's stdout and stderr logs, open to append.
public sealed record LogFiles(Fd Stdout, Fd Stderr) : IDisposable
{
    public void Dispose()
    {
        Stdout.Dispose();
        Stderr.Dispose();
    }
}

namespace Bpm;

// A failure that is bpm's own fault, not the host's or the operator's: anything but bpm's own
// errors and the I/O failures a host can cause (a full disk, a missing file, a permission).
// It still reaches the operator as one line, but says it is a bug, exits with its own status,
// and leaves its stack trace in bpm.log.
public static class Defect
{
    // EX_SOFTWARE in sysexits.h: an internal software error.
    public const int ExitStatus = 70;

    public static bool Is(Exception e) => e is not (BpmException or IOException or UnauthorizedAccessException);

    public static string OneLine(Exception e) =>
        $"internal error (a bug in bpm): {e.GetType().Name}: {e.Message}".ReplaceLineEndings(" ").Trim();
}

namespace Bpm.Waiter;

// What bpm start asks of its waiter, once the bundle is written: the runc command to run (with
// the descriptors sent beside it), where runc writes the container's pid, and the bpm to run
// when that process has ended. Strings separated by NUL, which none of them can hold.
public sealed record WaiterRequest(string PidFile, string Bpm, string Job, string Process, IReadOnlyList<string> Runc)
{
    // The descriptors that travel with the request: runc's stdin, stdout, stderr and the job lock.
    public const int Descriptors = 4;

    public byte[] Encode()
    {
        var all = new List<string> { PidFile, Bpm, Job, Process };
        all.AddRange(Runc);
        if (all.Any(s => s.Contains('\0'))) throw new BpmException("a waiter request cannot hold a NUL");
        return System.Text.Encoding.UTF8.GetBytes(string.Join('\0', all));
    }

    // Null when the bytes are not a request (too few fields, no runc).
    public static WaiterRequest? Decode(ReadOnlySpan<byte> bytes)
    {
        var fields = System.Text.Encoding.UTF8.GetString(bytes).Split('\0');
        if (fields.Length < 5 || fields.Take(5).Any(f => f.Length == 0)) return null;
        return new WaiterRequest(fields[0], fields[1], fields[2], fields[3], fields[4..]);
    }
}

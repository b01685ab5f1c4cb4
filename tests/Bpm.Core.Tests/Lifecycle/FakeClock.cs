using Bpm.Lifecycle;

namespace Bpm.Tests.Lifecycle;

public sealed class FakeClock : IClock
{
    public DateTimeOffset Now { get; set; } = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
}

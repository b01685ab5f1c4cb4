using System.Text;
using Bpm.Waiter;
using Xunit;

namespace Bpm.Tests;

public class WaiterTests
{
    [Fact]
    public void ARequestRoundTrips()
    {
        var request = new WaiterRequest("/r/sys/run/bpm/web/web.pid", "/var/vcap/packages/bpm/bin/bpm", "web", "worker",
            ["/usr/sbin/runc", "--root", "/r/sys/run/bpm-runc", "run", "--bundle", "/b", "--detach", "bpm-web.2eworker"]);
        var back = WaiterRequest.Decode(request.Encode());
        Assert.NotNull(back);
        Assert.Equal(request.PidFile, back.PidFile);
        Assert.Equal(request.Bpm, back.Bpm);
        Assert.Equal(request.Job, back.Job);
        Assert.Equal(request.Process, back.Process);
        Assert.Equal(request.Runc, back.Runc);
    }

    [Fact]
    public void ANulCannotBeSent() =>
        Assert.Throws<BpmException>(() => new WaiterRequest("/p", "/bpm", "we\0b", "web", ["/runc"]).Encode());

    [Theory]
    [InlineData("")]
    [InlineData("/p\0/bpm\0web\0web")]
    [InlineData("/p\0\0web\0web\0/runc")]
    public void WhatIsNotARequestIsRefused(string text) => Assert.Null(WaiterRequest.Decode(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void OnlyExecutableMappingsOfFilesAreHandedBack()
    {
        var maps = """
            00400000-00403000 r--p 00000000 fe:00 5310052                            /opt/bpm/bpm-waiter
            00403000-004d0000 r-xp 00003000 fe:00 5310052                            /opt/bpm/bpm-waiter
            00515000-0053c000 rw-p 00115000 fe:00 5310052                            /opt/bpm/bpm-waiter
            26570000-26591000 rw-p 00000000 00:00 0                                  [heap]
            7f9cc9d53000-7f9cc9ea9000 r-xp 00026000 fe:00 332096                     /usr/lib/x86_64-linux-gnu/libc.so.6
            7f4a1663a000-7f4a1663c000 r-xp 00000000 00:00 0                          [vdso]
            7f4a1663c000-7f4a1663d000 r-xp 00000000 00:00 0
            """;
        Assert.Equal([(0x403000UL, 0x4d0000UL), (0x7f9cc9d53000UL, 0x7f9cc9ea9000UL)], MemoryTrim.CodeMappings(Encoding.ASCII.GetBytes(maps)));
    }
}

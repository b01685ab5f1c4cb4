using System.IO.Hashing;
using System.Text;

namespace Bpm.IntegrationTests;

/// <summary>
/// The cgroup bpm gives a container, worked out here on its own: below the caller's v2 cgroup
/// (the `0::` line of /proc/self/cgroup), named by the container ID, plus `.r` and 12 hex digits
/// of the XXH3 hash of the root path for any BOSH root other than /var/vcap.
/// </summary>
public static class CgroupNames
{
    public static string Leaf(string root, string containerId) =>
        root == "/var/vcap" ? containerId : containerId + ".r" + Convert.ToHexStringLower(XxHash3.Hash(Encoding.UTF8.GetBytes(root)))[..12];

    /// <summary>The path of this process's v2 cgroup, "/" when none is listed.</summary>
    public static string OwnV2Path()
    {
        foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
            {
                return line[3..];
            }
        }
        return "/";
    }

    public static string CgroupsPath(string root, string containerId) =>
        "/" + string.Join('/', [.. OwnV2Path().Split('/', StringSplitOptions.RemoveEmptyEntries), Leaf(root, containerId)]);
}

using System.Security.Cryptography;
using System.Text;

namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// A job's directory laid out as the BOSH agent lays it on a VM: jobs/JOB is a root-owned symlink
/// to data/jobs/JOB/FINGERPRINT, the rendered templates of one version of the job. Releases'
/// bpm.yml files and hooks name the link (/var/vcap/jobs/JOB/...), so bpm must mount and run
/// through it; health_monitor's globs over data/jobs rely on it too.
/// </summary>
public static class BoshJobDir
{
    /// <summary>Makes jobs/JOB a link to a fresh data/jobs/JOB/FINGERPRINT; returns the link's target.</summary>
    public static string Lay(BoshRoot root, string job)
    {
        // A fixed fingerprint per job, as BOSH's is fixed per version of the job's templates.
        var fingerprint = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(job)));
        var target = root.P("data", "jobs", job, fingerprint);
        Directory.CreateDirectory(target);
        Directory.CreateDirectory(root.P("jobs"));
        File.CreateSymbolicLink(root.P("jobs", job), target);
        foreach (var dir in new[] { root.P("data"), root.P("data", "jobs"), root.P("data", "jobs", job), target, root.P("jobs") })
        {
            // Whatever the umask: a hook below must sit in directories only root can write.
            File.SetUnixFileMode(dir, BoshRoot.Mode755);
        }
        return target;
    }
}

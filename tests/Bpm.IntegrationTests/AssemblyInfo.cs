using System.Runtime.Versioning;

// bpm, runc and these tests are Linux-only.
[assembly: SupportedOSPlatform("linux")]

using System.Runtime.Versioning;

// Namespaces, cgroups, overlayfs and pivot_root: this library is Linux only.
[assembly: SupportedOSPlatform("linux")]

using System.Text;
using System.Text.RegularExpressions;

namespace KbSr.Kernel.Execution;

/// <summary>
/// .NET Interactive compatibility (docs/design.md §3.2): <c>#r "nuget: X, v"</c> for packages the kernel already
/// hosts is accepted with a note; others fail; <c>#!csharp</c> is ignored; other <c>#!</c> magics fail.
/// Lines are blanked rather than removed so that error line numbers still match the cell.
/// </summary>
public static partial class Directives
{
    /// <summary>Packages whose assemblies the kernel hosts (case-insensitive NuGet ids).</summary>
    public static readonly IReadOnlySet<string> HostedPackages = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "TorchSharp", "TorchSharp-cpu", "TorchSharp-cuda-linux", "TorchSharp-cuda-windows",
        "Plotly.NET", "Plotly.NET.Interactive", "Plotly.NET.CSharp", "KbSr.Lib",
    };

    public sealed record Result(string Code, IReadOnlyList<string> Notes);

    /// <summary>Rewrites a cell; throws <see cref="DirectiveException"/> for an unsupported package or magic.</summary>
    public static Result Process(string code)
    {
        var notes = new List<string>();
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var sb = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i], trimmed = line.Trim();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                string magic = trimmed.Split(' ', 2)[0];
                if (magic is not ("#!csharp" or "#!c#" or "#!C#"))
                    throw new DirectiveException($"line {i + 1}: magic command '{magic}' is not supported by this kernel (only #!csharp, which is ignored)");
                line = "";
            }
            else if (NuGetReference().Match(trimmed) is { Success: true } m)
            {
                string name = m.Groups["name"].Value.Trim(), version = m.Groups["version"].Value.Trim();
                if (!HostedPackages.Contains(name))
                    throw new DirectiveException($"line {i + 1}: package '{name}' cannot be loaded: this kernel has no package download; " +
                                                 $"it hosts {string.Join(", ", HostedPackages.Order(StringComparer.OrdinalIgnoreCase))}. " +
                                                 "Reference a local assembly with #r \"path/to/Assembly.dll\" instead.");
                notes.Add($"#r \"nuget: {name}{(version.Length > 0 ? ", " + version : "")}\": already provided by the kernel (version requested is not enforced)");
                line = "";
            }
            sb.Append(line);
            if (i < lines.Length - 1) sb.Append('\n');
        }
        return new Result(sb.ToString(), notes);
    }

    [GeneratedRegex("""^#r\s+"nuget:\s*(?<name>[^,"]+)(,(?<version>[^"]*))?"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex NuGetReference();
}

/// <summary>A directive or magic the kernel does not support.</summary>
public sealed class DirectiveException(string message) : Exception(message);

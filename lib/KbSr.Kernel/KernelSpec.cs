using System.Text.Json;
using System.Text.Json.Nodes;
using KbSr.Kernel.Formatting;

namespace KbSr.Kernel;

/// <summary>
/// The kernelspec Jupyter front ends discover (<c>kernels/kbsr-csharp/kernel.json</c> + logos). Interrupts are
/// sent as messages (<c>interrupt_mode: message</c>), never as SIGINT, which would end a .NET process.
/// </summary>
public static class KernelSpec
{
    public const string Name = "kbsr-csharp";
    public const string DisplayName = "C# (KB-SR)";

    /// <summary>The kernels folder for a scope: <c>--user</c> → ~/.local/share/jupyter/kernels (Linux),
    /// %APPDATA%\jupyter\kernels (Windows), ~/Library/Jupyter/kernels (macOS); <c>--prefix P</c> → P/share/jupyter/kernels.</summary>
    public static string KernelsDirectory(string? prefix)
    {
        if (prefix is not null) return Path.Combine(Path.GetFullPath(prefix), "share", "jupyter", "kernels");
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter", "kernels");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Jupyter", "kernels");
        string? dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        return Path.Combine(string.IsNullOrEmpty(dataHome) ? Path.Combine(home, ".local", "share") : dataHome, "jupyter", "kernels");
    }

    /// <summary>Path of the kernel assembly to launch (this assembly).</summary>
    public static string KernelAssemblyPath => typeof(KernelSpec).Assembly.Location;

    /// <summary>The <c>dotnet</c> host to launch the kernel with: the running host when it is dotnet, else DOTNET_ROOT, else PATH.</summary>
    public static string DotnetHost()
    {
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return process;
        string exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        foreach (var root in new[] { Environment.GetEnvironmentVariable("DOTNET_ROOT"), Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { } h ? Path.GetDirectoryName(h) : null })
            if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, exe))) return Path.Combine(root, exe);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, exe))) return Path.GetFullPath(Path.Combine(dir, exe));
        return "dotnet";
    }

    /// <summary>Writes <c>{kernelsDirectory}/kbsr-csharp</c>; returns the folder written.</summary>
    public static string Install(string kernelsDirectory, string? kernelAssembly = null)
    {
        string dll = Path.GetFullPath(kernelAssembly ?? KernelAssemblyPath);
        if (!File.Exists(dll)) throw new FileNotFoundException($"kernel assembly '{dll}' not found; build lib/KbSr.Kernel first", dll);
        string target = Path.Combine(Path.GetFullPath(kernelsDirectory), Name);
        string temp = target + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        var spec = new JsonObject
        {
            ["argv"] = new JsonArray(DotnetHost(), dll, "-f", "{connection_file}"),
            ["display_name"] = DisplayName,
            ["language"] = "csharp",
            ["interrupt_mode"] = "message",
            ["metadata"] = new JsonObject { ["debugger"] = false },
        };
        File.WriteAllText(Path.Combine(temp, "kernel.json"), spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllBytes(Path.Combine(temp, "logo-64x64.png"), Logo(64));
        File.WriteAllBytes(Path.Combine(temp, "logo-32x32.png"), Logo(32));
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        Directory.Move(temp, target);
        return target;
    }

    /// <summary>Removes the kernelspec; false when it was not installed there.</summary>
    public static bool Uninstall(string kernelsDirectory)
    {
        string target = Path.Combine(Path.GetFullPath(kernelsDirectory), Name);
        if (!Directory.Exists(target)) return false;
        Directory.Delete(target, recursive: true);
        return true;
    }

    /// <summary>A small generated logo: a violet square with a lighter "#" grid.</summary>
    public static byte[] Logo(int size)
    {
        var pixels = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            int i = (y * size + x) * 3;
            bool bar = (Math.Abs(x - size * 3 / 8) < size / 16 || Math.Abs(x - size * 5 / 8) < size / 16
                        || Math.Abs(y - size * 3 / 8) < size / 16 || Math.Abs(y - size * 5 / 8) < size / 16)
                       && x > size / 5 && x < size * 4 / 5 && y > size / 5 && y < size * 4 / 5;
            (pixels[i], pixels[i + 1], pixels[i + 2]) = bar ? ((byte)240, (byte)230, (byte)255) : ((byte)104, (byte)33, (byte)122);
        }
        return ImageFormatter.EncodePng(pixels, size, size, 3);
    }
}

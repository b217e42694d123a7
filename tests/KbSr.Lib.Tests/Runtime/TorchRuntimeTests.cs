using System.Diagnostics;
using KbSr.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void Torch_LoadsAndComputes_InThisProcess()
    {
        using var x = arange(6, dtype: float32).reshape(2, 3);
        Assert.Equal(15f, x.sum().item<float>());
    }

    [Fact]
    public void Torch_LoadsInAFreshProcess_ThroughTheCompatibilityStep()
    {
        // A fresh process (the CLI) with an empty cache: it must load, and on a system whose
        // libstdc++ lacks GLIBCXX_3.4.32 it must say once that it used the patched copy.
        // The test project references the CLI, so kbsr.dll sits next to the tests.
        string dll = Path.Combine(AppContext.BaseDirectory, "kbsr.dll");
        Assert.True(File.Exists(dll), "kbsr.dll not found next to the tests: " + dll);
        string cache = Directory.CreateTempSubdirectory("kbsr-cache-").FullName;
        try
        {
            var (code, stdout, stderr) = Run(dll, cache, "runtime");
            Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("torch ok", stdout);
            bool needsPatch = TorchRuntime.Compat?.Patched ?? false;
            Assert.Equal(needsPatch, stderr.Contains("kbsr note: this system's libstdc++", StringComparison.Ordinal));
            // Second start: same cache, no new log line.
            var (code2, stdout2, stderr2) = Run(dll, cache, "runtime");
            Assert.Equal(0, code2);
            Assert.Contains("torch ok", stdout2);
            Assert.DoesNotContain("kbsr note: this system's libstdc++", stderr2);
        }
        finally { Directory.Delete(cache, recursive: true); }
    }

    [Fact]
    public void SelectDevice_HonoursExplicitCpu_AndRejectsNonsense()
    {
        Assert.Equal(DeviceType.CPU, TorchRuntime.SelectDevice("cpu").type);
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.SelectDevice("tpu"));
        Assert.Contains("tpu", e.Message);
        if (!cuda.is_available())
            Assert.Throws<ArgumentException>(() => TorchRuntime.SelectDevice("cuda"));
    }

    [Fact]
    public void Seed_SameSeed_GivesSameRandomNumbers()
    {
        TorchRuntime.Seed(123);
        using var a = randn(5);
        TorchRuntime.Seed(123);
        using var b = randn(5);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.Equal(TorchRuntime.Rng(7, 1).Next(), TorchRuntime.Rng(7, 1).Next());
        Assert.NotEqual(TorchRuntime.Rng(7, 1).Next(), TorchRuntime.Rng(7, 2).Next());
    }

    private static (int Code, string Stdout, string Stderr) Run(string dll, string cache, string args)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {args}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment[LibStdCxxCompat.CacheVariable] = cache;
        psi.Environment.Remove(LibStdCxxCompat.DisableVariable);
        using var p = Process.Start(psi)!;
        string o = p.StandardOutput.ReadToEnd(), e = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, o, e);
    }
}

using KbSr.Runtime;

namespace KbSr.Tests.Runtime;

public class ElfVersionNeedsTests
{
    private static string TorchSharpNative =>
        LibStdCxxCompat.FindNativeLibrary("libLibTorchSharp.so")
        ?? throw new InvalidOperationException("libLibTorchSharp.so not found in the test output");

    [Fact]
    public void ReadNeeds_OfTorchSharpLibrary_ListsTheGlibcxx3432Marker()
    {
        var needs = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(TorchSharpNative));
        // Known from `readelf -V`: 20 libstdc++ needs, GLIBCXX_3.4.32 among them, none weak.
        var stdcxx = needs.Where(n => n.Library == "libstdc++.so.6").ToList();
        Assert.Equal(20, stdcxx.Count);
        Assert.Contains(stdcxx, n => n.Version == "GLIBCXX_3.4.32" && !n.IsWeak);
        Assert.Contains(needs, n => n.Library == "libc.so.6" && n.Version == "GLIBC_2.34");
    }

    [Fact]
    public void MarkWeak_OnACopy_ChangesOnlyTheFlagsOfThatNeed()
    {
        byte[] original = File.ReadAllBytes(TorchSharpNative);
        byte[] copy = (byte[])original.Clone();

        Assert.True(ElfVersionNeeds.MarkWeak(copy, "libstdc++.so.6", "GLIBCXX_3.4.32"));

        var before = ElfVersionNeeds.ReadNeeds(original);
        var after = ElfVersionNeeds.ReadNeeds(copy);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i].Version, after[i].Version);
            Assert.Equal(before[i].Version == "GLIBCXX_3.4.32", after[i].IsWeak);
        }
        // Exactly one byte differs: the low byte of vna_flags (0x0 -> 0x2).
        var diffs = Enumerable.Range(0, original.Length).Where(i => original[i] != copy[i]).ToList();
        int only = Assert.Single(diffs);
        Assert.Equal(0, original[only]);
        Assert.Equal(ElfVersionNeeds.WeakFlag, copy[only]);
    }

    [Fact]
    public void MarkWeak_OfAVersionNotNeeded_ReturnsFalseAndChangesNothing()
    {
        byte[] copy = File.ReadAllBytes(TorchSharpNative);
        byte[] original = (byte[])copy.Clone();
        Assert.False(ElfVersionNeeds.MarkWeak(copy, "libstdc++.so.6", "GLIBCXX_9.9.99"));
        Assert.Equal(original, copy);
    }

    [Fact]
    public void ReadDefinitions_OfSystemLibStdCxx_HasTheBaseVersions()
    {
        string? lib = LibStdCxxCompat.FindLoadedOrSystemLibStdCxx();
        Assert.NotNull(lib);
        var defined = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(lib));
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' })]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    public void ReadNeeds_OfNonElfOrTruncatedBytes_ThrowsNamingTheFile(byte[] bytes)
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(bytes, "broken.so"));
        Assert.Contains("broken.so", e.Message);
    }

    [Fact]
    public void ReadNeeds_OfElfCutInTheMiddle_ThrowsTruncated()
    {
        byte[] bytes = File.ReadAllBytes(TorchSharpNative);
        // Keep the header, drop the section headers at the end of the file.
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(bytes.AsSpan(0, 4096), "cut.so"));
        Assert.Contains("cut.so", e.Message);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

/// <summary>Tolerance comparisons for this folder's tests, reporting the worst element.</summary>
internal static class DegradationAssert
{
    public static double MaxAbsDiff(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        return (actual.to(float64, CPU) - expected.to(float64, CPU)).abs().max().item<double>();
    }

    public static void Close(Tensor actual, Tensor expected, double tolerance, string what = "")
    {
        double diff = MaxAbsDiff(actual, expected);
        Assert.True(diff <= tolerance, $"{what} max |actual − expected| = {diff:G4} > {tolerance:G4}");
    }

    public static void Close(Tensor actual, double[] expected, double tolerance, string what = "")
    {
        using var e = tensor(expected, dtype: float64).view(actual.shape);
        Close(actual, e, tolerance, what);
    }

    /// <summary>Same shape and bit-for-bit equal values.</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var scope = NewDisposeScope();
        return a.eq(b).all().item<bool>();
    }

    public static double[] ToDoubles(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.to(float64, CPU).contiguous().data<double>().ToArray();
    }
}

using KbSr.Runtime;
using KbSr.Tests.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Tests.Runtime;

/// <summary>
/// <see cref="OneDnnCheck"/>: after start-up, float32 convolutions equal a float64 im2col reference on every CPU —
/// including those where oneDNN's own kernels are wrong for channel counts off its block size (it is then turned off),
/// and <c>KBSR_ONEDNN=off</c> takes effect.
/// </summary>
public class OneDnnCheckTests
{
    public OneDnnCheckTests() => TorchRuntime.Initialize();

    /// <summary>Shapes of the networks' layers that met the defect: 3 colours + 15 code maps (SRMD-NF), a 48-channel SR-feature stack
    /// (KB-SR Small's third head), at an LR size of a test image, batch 1 and 8.</summary>
    [Theory]
    [InlineData(1, 18, 96, 72)]
    [InlineData(1, 48, 16, 70)]
    [InlineData(8, 18, 96, 24)]
    [InlineData(2, 33, 40, 31)]
    [InlineData(16, 18, 16, 20)]   // batch ≥ 16: where libtorch would consider NNPACK (NnpackCheck)
    public void Convolution_EqualsTheFloat64Reference(int batch, int input, int output, int size)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var x = rand([batch, input, size, size], generator: generator);
        var w = randn([output, input, 3, 3], generator: generator).mul_(0.1);
        var y = nn.functional.conv2d(x, w, padding: [1, 1]);
        var reference = w.to(float64).view(output, -1).matmul(nn.functional.unfold(x.to(float64), 3, padding: 1)).view(batch, output, size, size);
        double error = (y.to(float64) - reference).abs().max().item<double>();
        Assert.True(error < 1e-4, $"conv {input}→{output} at {size}²: max error {error:G3} against float64 (oneDNN: {OneDnnCheck.State})");
    }

    [Fact]
    public void TheCheck_PassesAfterStartUp_AndTheStateSaysWhatWasDone()
    {
        Assert.True(OneDnnCheck.ConvolutionError() <= OneDnnCheck.Tolerance, OneDnnCheck.State);
        Assert.Matches("^(on|off)", OneDnnCheck.State);
    }

    [Fact]
    public async Task SettingOff_TurnsOneDnnOff_AndConvolutionsStayRight()
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["runtime"], [("KBSR_ONEDNN", "off")], 300);
        Assert.True(code == 0, $"exit {code}:\n{stdout}\n{stderr}");
        var line = stdout.Split('\n').Single(l => l.StartsWith("oneDNN convolutions:", StringComparison.Ordinal));
        Assert.StartsWith("oneDNN convolutions: off (KBSR_ONEDNN=off)", line);
        double error = double.Parse(line[(line.LastIndexOf("within ", StringComparison.Ordinal) + 7)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(error <= OneDnnCheck.Tolerance, line);
    }
}

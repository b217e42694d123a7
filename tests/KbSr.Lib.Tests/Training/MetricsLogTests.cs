using System.Globalization;
using System.Text.Json;
using KbSr.Training;

namespace KbSr.Tests.Training;

public class MetricsLogTests
{
    private static Dictionary<string, double> Record(long step, double loss, double psnr) =>
        new() { ["step"] = step, ["loss"] = loss, ["psnr"] = psnr };

    [Fact]
    public void Write_AppendsJsonlAndCsvWithSortedColumns()
    {
        string folder = Directory.CreateTempSubdirectory("kbsr-metrics-").FullName;
        try
        {
            var log = new MetricsLog(folder);
            log.Write(Record(1, 0.5, 20.25));
            log.Write(new Dictionary<string, double> { ["step"] = 2, ["loss"] = 0.25, ["extra"] = 7 });

            var json = File.ReadAllLines(Path.Combine(folder, "metrics.jsonl"));
            Assert.Equal(2, json.Length);
            using (var first = JsonDocument.Parse(json[0]))
            {
                Assert.Equal(1, first.RootElement.GetProperty("step").GetInt64());
                Assert.Equal(0.5, first.RootElement.GetProperty("loss").GetDouble());
                Assert.Equal(20.25, first.RootElement.GetProperty("psnr").GetDouble());
            }
            using (var second = JsonDocument.Parse(json[1]))
                Assert.Equal(7, second.RootElement.GetProperty("extra").GetDouble());   // late keys go to the JSONL

            var csv = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
            Assert.Equal(new[] { "step,loss,psnr", "1,0.5,20.25", "2,0.25," }, csv);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void TruncateFrom_RemovesLaterStepsKeepsEarlierAndResumesWithoutASecondHeader()
    {
        string folder = Directory.CreateTempSubdirectory("kbsr-metrics-").FullName;
        try
        {
            var log = new MetricsLog(folder, "validation");
            for (int step = 1; step <= 5; step++) log.Write(Record(step * 10, 1.0 / step, 20 + step));

            var resumed = new MetricsLog(folder, "validation");
            resumed.TruncateFrom(30);
            Assert.Equal(new long[] { 10, 20 }, JsonSteps(Path.Combine(folder, "validation.jsonl")));
            Assert.Equal(new[] { "step,loss,psnr", "10,1,21", "20,0.5,22" }, File.ReadAllLines(Path.Combine(folder, "validation.csv")));

            resumed.Write(Record(30, 0.125, 30));
            Assert.Equal(new long[] { 10, 20, 30 }, JsonSteps(Path.Combine(folder, "validation.jsonl")));
            Assert.Equal(new[] { "step,loss,psnr", "10,1,21", "20,0.5,22", "30,0.125,30" },
                File.ReadAllLines(Path.Combine(folder, "validation.csv")));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Write_NonFiniteValuesSurviveInBothFilesAndThroughTruncation()
    {
        string folder = Directory.CreateTempSubdirectory("kbsr-metrics-").FullName;
        try
        {
            var log = new MetricsLog(folder);
            log.Write(Record(1, double.NaN, double.PositiveInfinity));
            log.Write(Record(2, double.NegativeInfinity, 3));
            log.TruncateFrom(2);

            string line = Assert.Single(File.ReadAllLines(Path.Combine(folder, "metrics.jsonl")));
            using var doc = JsonDocument.Parse(line);
            Assert.True(double.IsNaN(Parse(doc.RootElement.GetProperty("loss"))));
            Assert.Equal(double.PositiveInfinity, Parse(doc.RootElement.GetProperty("psnr")));

            var csv = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
            Assert.Equal(2, csv.Length);
            var cells = csv[1].Split(',');
            Assert.True(double.IsNaN(double.Parse(cells[1], CultureInfo.InvariantCulture)));
            Assert.Equal(double.PositiveInfinity, double.Parse(cells[2], CultureInfo.InvariantCulture));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void TruncateFrom_AfterACrashMidLine_DropsThePartialLinesAndKeepsTheRest()
    {
        string folder = Directory.CreateTempSubdirectory("kbsr-metrics-").FullName;
        try
        {
            var log = new MetricsLog(folder);
            log.Write(Record(1, 0.5, 20));
            log.Write(Record(2, 0.25, 21));
            // the process died while appending step 3
            File.AppendAllText(Path.Combine(folder, "metrics.jsonl"), "{\"step\":3,\"lo");
            File.AppendAllText(Path.Combine(folder, "metrics.csv"), "3,0.1");

            var resumed = new MetricsLog(folder);
            resumed.TruncateFrom(3);
            resumed.Write(Record(3, 0.125, 22));
            Assert.Equal(new long[] { 1, 2, 3 }, JsonSteps(Path.Combine(folder, "metrics.jsonl")));
            Assert.Equal(new[] { "step,loss,psnr", "1,0.5,20", "2,0.25,21", "3,0.125,22" },
                File.ReadAllLines(Path.Combine(folder, "metrics.csv")));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Write_WithoutStep_Throws()
    {
        string folder = Directory.CreateTempSubdirectory("kbsr-metrics-").FullName;
        try
        {
            var e = Assert.Throws<ArgumentException>(() => new MetricsLog(folder).Write(new Dictionary<string, double> { ["loss"] = 1 }));
            Assert.Contains("'step'", e.Message);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private static long[] JsonSteps(string path) =>
        File.ReadAllLines(path).Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.GetProperty("step").GetInt64(); }).ToArray();

    // Non-finite numbers are not JSON numbers: they are written as the strings "NaN", "Infinity", "-Infinity".
    private static double Parse(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetDouble();
}

using LlmLoc.IO;

namespace LlmLoc.Tests.IO;

public class TableFileTests
{
    sealed class Row
    {
#pragma warning disable IDE1006 // column names
        public int layer { get; set; }
        public double t { get; set; }
        public double p { get; set; }
        public bool selected { get; set; }
        public string text { get; set; } = "";
        public string? passage { get; set; }
#pragma warning restore IDE1006
    }

    /// <summary>The expected text is what pandas 1.5.3 writes for the same frame with <c>to_csv(index=False)</c>:
    /// floats as repr, NaN and None empty, inf as "inf", booleans True/False, minimal quoting, "\n" line ends.</summary>
    [Fact]
    public void CsvIsPandasToCsvDialect()
    {
        var rows = new[]
        {
            new Row { layer = 0, t = 0.1, p = double.PositiveInfinity, selected = true, text = "a,b", passage = "x" },
            new Row { layer = 1, t = 1e-05, p = 1.0, selected = false, text = "say \"hi\"", passage = null },
            new Row { layer = 2, t = double.NaN, p = 123456789.125, selected = true, text = "line\nbreak", passage = "z" },
        };
        using var stream = new MemoryStream();
        TableFile.Write("x.csv", rows, stream);
        Assert.Equal("layer,t,p,selected,text,passage\n0,0.1,inf,True,\"a,b\",x\n1,1e-05,1.0,False,\"say \"\"hi\"\"\",\n2,,123456789.125,True,\"line\nbreak\",z\n",
            System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Theory]
    [InlineData("a.csv", true)]
    [InlineData("a.PARQUET", true)]
    [InlineData("a.tsv", false)]
    [InlineData("a", false)]
    public void OnlyCsvAndParquetNamesAreTables(string path, bool ok)
    {
        if (ok) Assert.Equal(path, TableFile.CheckPath("--table", path));
        else Assert.Equal(ExitCodes.Usage, Assert.Throws<LlmLocException>(() => TableFile.CheckPath("--table", path)).ExitCode);
    }
}

using LlmLoc.Stimuli.Download;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Workflow;

public sealed class StimuliInventoryTests
{
    [Fact]
    public void Shared_stimuli_hold_240_sentences_240_nonword_lists_10_belief_and_10_photo_stories()
    {
        var root = Shared.Path_("stimuli");

        var rows = StimuliInventory.Describe(root);

        Assert.Equal(
        [
            ("language", "S", 240, Path.Combine(root, "language")),
            ("language", "N", 240, Path.Combine(root, "language")),
            ("theory-of-mind", "b", 10, Path.Combine(root, "tom", "tomloc")),
            ("theory-of-mind", "p", 10, Path.Combine(root, "tom", "tomloc")),
        ], rows);
    }

    [Fact]
    public void Missing_folders_count_as_zero_items()
    {
        using var temp = new TempDir();

        Assert.All(StimuliInventory.Describe(temp.Path), row => Assert.Equal(0, row.items));
    }

    [Fact]
    public void Quoted_fields_with_commas_quotes_and_newlines_do_not_shift_the_stim14_column()
    {
        using var temp = new TempDir();
        var language = Directory.CreateDirectory(temp.File("language")).FullName;
        var header = string.Join(',', Enumerable.Range(1, 14).Select(i => $"stim{i}"));
        File.WriteAllText(Path.Combine(language, "quoted.csv"),
            header + "\r\n" +
            "1,\"A, B\",C,D,E,F,G,H,I,J,K,L,M,S\r\n" +
            "2,\"say \"\"hi\"\"\",\"two\nlines\",D,E,F,G,H,I,J,K,L,M,N\r\n" +
            "3,X,C,D,E,F,G,H,I,J,K,L,M,\"S\"\r\n");
        File.WriteAllText(Path.Combine(temp.Path, "ignored.csv"), header + "\n1,a,b,c,d,e,f,g,h,i,j,k,l,S\n");

        var rows = StimuliInventory.Describe(temp.Path);

        Assert.Equal(2, rows.Single(r => r.condition == "S").items);
        Assert.Equal(1, rows.Single(r => r.condition == "N").items);
    }

    [Fact]
    public void A_csv_without_stim14_is_an_input_error_that_names_the_file()
    {
        using var temp = new TempDir();
        var language = Directory.CreateDirectory(temp.File("language")).FullName;
        File.WriteAllText(Path.Combine(language, "bad.csv"), "a,b\n1,2\n");

        var e = Assert.Throws<LlmLocException>(() => StimuliInventory.Describe(temp.Path));

        Assert.Equal(ExitCodes.InputError, e.ExitCode);
        Assert.Contains("bad.csv has no stim14 column", e.Message);
    }

    [Fact]
    public void Only_numbered_belief_and_photo_stories_are_counted()
    {
        using var temp = new TempDir();
        var tom = Directory.CreateDirectory(Path.Combine(temp.Path, "tom", "tomloc")).FullName;
        foreach (var name in new[] { "1b_story.txt", "2b_story.txt", "1p_story.txt", "1b_question.txt", "xb_story.txt", "1q_story.txt" })
            File.WriteAllText(Path.Combine(tom, name), "text");

        var rows = StimuliInventory.Describe(temp.Path);

        Assert.Equal(2, rows.Single(r => r.condition == "b").items);
        Assert.Equal(1, rows.Single(r => r.condition == "p").items);
    }
}

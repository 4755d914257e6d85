using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Time.Testing;

namespace Pipelines.Kubernetes.FakeApi.Tests;

public sealed class LogTests
{
    [Fact]
    public async Task A_followed_log_with_timestamps_streams_each_line_as_logged_and_ends_with_the_container()
    {
        var ct = Fake.Within();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 6, 1, 2, TimeSpan.Zero).AddTicks(1234567));
        await using var server = await FakeKubernetesServer.StartAsync(new FakeServerOptions { Time = time }, ct);
        var gate = new PodGate();
        server.Scripts.Default = PodScript.Start().Log("hello").Until(gate).Log("world").Exit(0);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("talker"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(p => p.Status.Phase == "Running", ct);

        await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync("talker", Fake.Namespace, follow: true, timestamps: true, cancellationToken: ct);
        using var reader = new StreamReader(stream);
        var first = await reader.ReadLineAsync(ct);
        gate.Open();
        var rest = await reader.ReadToEndAsync(ct);

        Assert.Equal("2026-11-30T06:01:02.123456700Z hello", first);
        Assert.Equal("2026-11-30T06:01:02.123456700Z world\n", rest);
        Assert.True(Fake.IsTerminal(server.Pods.Single()));
    }

    [Fact]
    public async Task SinceTime_takes_the_lines_from_the_start_of_its_second_on()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        var second = new DateTimeOffset(2026, 11, 30, 6, 1, 2, TimeSpan.Zero);
        server.Scripts.Default = PodScript.Start()
            .LogAt(second.AddMilliseconds(-1), "before")
            .LogAt(second.AddMilliseconds(300), "one", "two", "three")
            .LogAt(second.AddSeconds(1), "next")
            .Exit(0);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("since"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(Fake.IsTerminal, ct);

        using var http = new HttpClient { BaseAddress = server.Url };
        var text = await http.GetStringAsync($"api/v1/namespaces/{Fake.Namespace}/pods/since/log?timestamps=true&sinceTime=2026-11-30T06:01:02.5Z", ct);
        var all = await http.GetStringAsync($"api/v1/namespaces/{Fake.Namespace}/pods/since/log?tailLines=2", ct);

        Assert.Equal(
            "2026-11-30T06:01:02.300000000Z one\n2026-11-30T06:01:02.300000000Z two\n2026-11-30T06:01:02.300000000Z three\n2026-11-30T06:01:03.000000000Z next\n",
            text);
        Assert.Equal("three\nnext\n", all);
    }

    [Fact]
    public async Task CutLogs_sends_half_a_line_then_breaks_the_stream_and_the_next_reader_gets_the_whole_line()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        var gate = new PodGate();
        server.Scripts.Default = PodScript.Start().Log("first").Until(gate).CutLogs("0123456789").Exit(0);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("cut"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(p => p.Status.Phase == "Running", ct);

        await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync("cut", Fake.Namespace, follow: true, cancellationToken: ct);
        var received = new StringBuilder();
        var buffer = new byte[1024];
        while (!received.ToString().EndsWith('\n'))
        {
            received.Append(Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer, ct)));
        }

        gate.Open();
        var broken = await Record.ExceptionAsync(async () =>
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        });
        await server.WaitForPodAsync(Fake.IsTerminal, ct);
        await using var again = await client.CoreV1.ReadNamespacedPodLogAsync("cut", Fake.Namespace, cancellationToken: ct);

        Assert.Equal("first\n01234", received.ToString());
        Assert.IsAssignableFrom<IOException>(broken);
        Assert.Equal("first\n0123456789\n", await new StreamReader(again).ReadToEndAsync(ct));
    }

    [Fact]
    public async Task Each_cut_waits_for_a_new_follower_so_every_reconnect_is_cut_once()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Log("a").CutLogs("bbbb").Log("c").CutLogs("dddd").Log("e").Exit(0);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("cuts"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(p => p.Status.Phase == "Running", ct);

        var reads = new List<(string Text, Exception? Broken)>();
        for (var i = 0; i < 3; i++)
        {
            await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync("cuts", Fake.Namespace, follow: true, cancellationToken: ct);
            var text = new StringBuilder();
            var broken = await Record.ExceptionAsync(async () =>
            {
                var buffer = new byte[256];
                int read;
                while ((read = await stream.ReadAsync(buffer, ct)) > 0)
                {
                    text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }
            });
            reads.Add((text.ToString(), broken));
        }

        Assert.Equal(["a\nbb", "a\nbbbb\nc\ndd", "a\nbbbb\nc\ndddd\ne\n"], reads.Select(r => r.Text));
        Assert.IsAssignableFrom<IOException>(reads[0].Broken);
        Assert.IsAssignableFrom<IOException>(reads[1].Broken);
        Assert.Null(reads[2].Broken);
    }

    [Fact]
    public async Task A_pod_with_several_containers_needs_the_container_named()
    {
        var ct = Fake.Within();
        await using var server = await FakeKubernetesServer.StartAsync(ct: ct);
        server.Scripts.Default = PodScript.Start().Log("base line").LogTo("proxy", "proxy line").Exit(0);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Fake.Pod("two", sidecars: "proxy"), Fake.Namespace, cancellationToken: ct);
        await server.WaitForPodAsync(Fake.IsTerminal, ct);

        var unnamed = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodLogAsync("two", Fake.Namespace, cancellationToken: ct));
        await using var proxy = await client.CoreV1.ReadNamespacedPodLogAsync("two", Fake.Namespace, container: "proxy", cancellationToken: ct);

        Assert.Equal(HttpStatusCode.BadRequest, unnamed.Response.StatusCode);
        Assert.Equal("a container name must be specified for pod two, choose one of: [base proxy]", Fake.Status(unnamed).Message);
        Assert.Equal("proxy line\n", await new StreamReader(proxy).ReadToEndAsync(ct));
    }
}

using System.Text.Json.Nodes;

namespace WaSms.Emulators.Platform.Api;

/// <summary>The paged lists (<c>limit</c>, <c>page</c>; newest first; <c>unique</c> narrows to one account).</summary>
public sealed partial class PlatformApi
{
    private async Task<(int, JsonObject)> ReceivedAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var (limit, offset) = Page(request);
        var list = new JsonArray();
        foreach (var item in await _store.ListReceivedAsync(await OptionalAccountAsync(request, cancellationToken), limit, offset, cancellationToken))
        {
            var message = JsonNode.Parse(item.Json)!.AsObject();
            list.Add((JsonNode)new JsonObject
            {
                ["id"] = (string?)message["id"],
                ["account"] = item.Unique,
                ["recipient"] = (string?)message["from"],
                ["chat"] = (string?)message["chat"],
                ["from"] = (string?)message["from"],
                ["fromMe"] = message["fromMe"]?.DeepClone(),
                ["pushName"] = (string?)message["pushName"],
                ["type"] = (string?)message["type"],
                ["message"] = message["text"]?.DeepClone(),
                ["optOut"] = message["optOut"]?.DeepClone(),
                ["timestamp"] = message["timestamp"]?.DeepClone(),
                ["cursor"] = item.Cursor,
                ["received"] = item.Stored,
            });
        }

        return Ok("Received WhatsApp Chats", list);
    }

    private async Task<(int, JsonObject)> SentAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var (limit, offset) = Page(request);
        var list = new JsonArray();
        foreach (var job in await _store.ListSentAsync(await OptionalAccountAsync(request, cancellationToken), limit, offset, cancellationToken))
        {
            list.Add((JsonNode)new JsonObject
            {
                ["id"] = job.JobId,
                ["account"] = job.Unique,
                ["recipient"] = job.Recipient,
                ["message"] = job.Text,
                ["priority"] = job.Priority,
                ["status"] = job.State,
                ["reason"] = job.Reason,
                ["messageId"] = job.MessageId,
                ["seq"] = job.Seq,
                ["created"] = job.Created,
                ["accepted"] = job.AcceptedAt,
                ["sent"] = job.SentAt,
                ["delivered"] = job.DeliveredAt,
                ["read"] = job.ReadAt,
                ["failed"] = job.FailedAt,
            });
        }

        return Ok("Sent WhatsApp Chats", list);
    }

    private async Task<(int, JsonObject)> CommandsAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var (limit, offset) = Page(request);
        var list = new JsonArray();
        foreach (var command in await _store.ListCommandsAsync(await OptionalAccountAsync(request, cancellationToken), limit, offset, cancellationToken))
        {
            list.Add((JsonNode)new JsonObject
            {
                ["id"] = command.Id,
                ["account"] = command.Unique,
                ["seq"] = command.Seq,
                ["name"] = command.Name,
                ["args"] = JsonNode.Parse(command.Args),
                ["created"] = command.Created,
                ["ok"] = command.Ok,
                ["error"] = command.Error,
                ["message"] = command.Message,
                ["data"] = command.Data is null ? null : JsonNode.Parse(command.Data),
                ["answered"] = command.ResultAt,
            });
        }

        return Ok("Commands", list);
    }
}

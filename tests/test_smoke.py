"""The public API of the issue, end to end."""

import kedis


def test_the_documented_api(clock):
    db = kedis.Kedis(clock=clock)
    assert db.run('SET greeting "hello world" EX 100').cli() == "OK"
    reply = db.execute(b"GET", b"greeting")
    assert reply.cli() == '"hello world"'
    assert reply.resp() == b"$11\r\nhello world\r\n"
    steps = db.run("GET greeting", trace=True).trace
    assert [step.layer for step in steps] == [
        "input", "parser", "command table", "handler", "keyspace", "reply"]
    clock.advance(100.001)
    assert db.run("GET greeting").cli() == "(nil)"


def test_the_same_reply_as_redis(redis, db):
    for command in (["SET", "k", "v"], ["GET", "k"], ["INCR", "k"], ["GET", "missing"]):
        assert db.execute(*command).resp() == redis.call(*command)

import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('wa_id', 'text', (c) => c.notNull())
    .addColumn('chat', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('remote_jid', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('push_name', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_session_wa').on('messages').columns(['session_id', 'wa_id']).unique().execute();
  await db.schema.createIndex('messages_chat_time').on('messages').columns(['session_id', 'chat', 'timestamp', 'id']).execute();
  await db.schema.createIndex('messages_session_time').on('messages').columns(['session_id', 'timestamp', 'id']).execute();
  await db.schema.createIndex('messages_pending').on('messages').columns(['session_id', 'status', 'created_at']).execute();

  await db.schema
    .createTable('contacts')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('chat', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('lid', 'text')
    .addColumn('push_name', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contacts_pk', ['session_id', 'chat'])
    .execute();
  await db.schema.createIndex('contacts_lid').on('contacts').columns(['session_id', 'lid']).execute();
}

/**
 * The legacy Fief main database (`public`, alembic head c8cf076d3ffa): the workspace registry,
 * its members, and the admin tables an export never carries.
 */
import { col, stamp, uuid, varchar, type SchemaDef } from './schema-model.js';

export const MAIN_ALEMBIC_REVISION = 'c8cf076d3ffa';

const stamps = [stamp('created_at'), stamp('updated_at')];
const stampIx = [{ column: 'created_at' }, { column: 'updated_at' }];
const text = (name: string, notNull = true) => col(name, 'text', notNull);

export const MAIN_SCHEMA: SchemaDef = {
  enums: [{ name: 'databasetype', labels: ['POSTGRESQL', 'MYSQL', 'SQLITE'] }],
  tables: [
    {
      name: 'admin_api_key',
      columns: [uuid('id'), ...stamps, varchar('name'), varchar('token'), uuid('workspace_id')],
      primaryKey: ['id'], uniques: [['token']],
      foreignKeys: [{ column: 'workspace_id', table: 'workspaces', onDelete: 'CASCADE' }],
      indexes: stampIx,
    },
    {
      name: 'admin_session_tokens',
      columns: [uuid('id'), ...stamps, varchar('token'), text('raw_tokens'), text('raw_userinfo')],
      primaryKey: ['id'], uniques: [['token']], indexes: stampIx,
    },
    { name: 'alembic_version', columns: [varchar('version_num', 32)], primaryKey: ['version_num'], primaryKeyName: 'alembic_version_pkc' },
    {
      name: 'workspace_users',
      columns: [uuid('id'), ...stamps, uuid('workspace_id'), uuid('user_id')],
      primaryKey: ['id'],
      foreignKeys: [{ column: 'workspace_id', table: 'workspaces', onDelete: 'CASCADE' }],
      indexes: stampIx,
    },
    {
      name: 'workspaces',
      columns: [
        uuid('id'), ...stamps, varchar('name'), varchar('domain'), col('database_type', 'databasetype', false),
        text('database_host', false), text('database_port', false), text('database_username', false), text('database_password', false),
        text('database_name', false), varchar('alembic_revision', 255, false), text('database_ssl_mode', false),
        col('users_count', 'integer', true, '0'), col('database_use_schema', 'boolean'), varchar('database_table_prefix'),
      ],
      primaryKey: ['id'],
      indexes: [{ column: 'alembic_revision' }, ...stampIx],
    },
  ],
};

# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Find the boots of a Glance download by image and receiving project.

A Glance image.send names the image and the project that received it.
The boots it may belong to were read through (image_id, timestamp),
which holds every project's observations of that image: with one
popular image, each download read every observation of every boot of
the image within two hours. (image_id, project_id, timestamp) reads
only the receiving project's.

Revision ID: 9b4e2c7d1f36
Revises: 57d1f12f6e3c
Create Date: 2026-12-04 09:20:00
"""

from alembic import op

revision = '9b4e2c7d1f36'
down_revision = '57d1f12f6e3c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_observations_image_project_time', 'observations',
                    ['image_id', 'project_id', 'timestamp'])
